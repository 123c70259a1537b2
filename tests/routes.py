"""Every URL pattern of the project, with who may do what on it. The tenant-isolation and permission
tests walk this table; a route that is not listed here makes them fail."""

from django.urls import URLPattern, URLResolver, get_resolver


def all_routes() -> list[tuple[str, str | None, str]]:
    """(route, qualified name, callback module) for every pattern, nested resolvers flattened."""

    def walk(resolver, prefix="", namespace=None):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                yield from walk(p, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name}" if namespace and p.name else p.name
                yield prefix + str(p.pattern), name, p.callback.__module__

    return list(walk(get_resolver()))


# Third-party routes that hold no city data: allauth's sign-in and security screens, Django's admin
# (network admins only) and the language switcher. They are checked as a group.
THIRD_PARTY_MODULES = (
    "allauth.",
    "django.contrib.admin",
    "django.contrib.contenttypes",
    "django.views.generic",
    "django.views.i18n",
    "django.views.static",
)

# name -> access level. "public": anyone reads it. "signed_in": any signed-in person, about themselves.
# "staff:<perm>": a staff permission in the city of the URL. "network_admin": network admins only.
# "api": read-only open data.
CIVICLAB_ROUTES = {
    "healthz": "public",
    "network:home": "public",
    "network:manifesto": "public",
    "network:privacy": "public",
    "cities:home": "public",
    "cities:theme": "public",
    "processes:detail": "public",
    "accounts:home": "signed_in",
    "accounts:consent": "signed_in",
    "accounts:export": "signed_in",
    "accounts:erase": "signed_in",
    "cities:staff_home": "staff:cities.view_staff_area",
    "cities:staff_members": "staff:cities.manage_members",
    "cities:staff_member_revoke": "staff:cities.manage_members",
    "cities:staff_audit": "staff:cities.view_audit_log",
    "processes:new": "staff:processes.add_process",
    "processes:edit": "staff:processes.change_process",
    "processes:components": "staff:processes.change_process",
    "processes:component_edit": "staff:processes.change_process",
    "budgeting:detail": "public",
    "budgeting:project": "public",
    "budgeting:check": "public",
    "budgeting:results": "public",
    "budgeting:ballots": "public",
    "budgeting:project_new": "signed_in",
    "budgeting:project_reply": "signed_in",
    "budgeting:vote": "signed_in",
    "budgeting:verify": "signed_in",
    "budgeting:receipt": "signed_in",
    "budgeting:staff_list": "staff:budgeting.enter_paper_ballot",
    "budgeting:new": "staff:budgeting.add_budget",
    "budgeting:edit": "staff:budgeting.change_budget",
    "budgeting:review": "staff:budgeting.review_project",
    "budgeting:census": "staff:budgeting.manage_eligibility",
    "budgeting:letters": "staff:budgeting.manage_eligibility",
    "budgeting:verify_in_person": "staff:budgeting.verify_in_person",
    "budgeting:paper": "staff:budgeting.enter_paper_ballot",
    "budgeting:paper_voter": "staff:budgeting.enter_paper_ballot",
    "budgeting:paper_review": "staff:budgeting.review_paper_ballots",
    "budgeting:count": "staff:budgeting.count",
    "network_admin:cities": "network_admin",
    "network_admin:city_new": "network_admin",
    "network_admin:city_edit": "network_admin",
    "api-v1:api-root": "api_root",
    "api-v1:openapi-json": "api",
    "api-v1:list_cities": "api",
    "api-v1:get_city": "api",
    "api-v1:list_processes": "api",
    "api-v1:list_budgets": "api",
    "api-v1:get_budget": "api",
    "api-v1:list_projects": "api",
    "api-v1:get_results": "api",
    "api-v1:list_ballots": "api",
    # Opinion mapping. "participate": a form post whose conversation decides who may take part.
    "deliberation:detail": "public",
    "deliberation:report": "public",
    "deliberation:statement_new": "public",
    "deliberation:vote": "participate",
    "deliberation:staff_list": "staff:deliberation.view_conversations",
    "deliberation:new": "staff:deliberation.add_conversation",
    "deliberation:import": "staff:deliberation.add_conversation",
    "deliberation:edit": "staff:deliberation.change_conversation",
    "deliberation:moderation": "staff:deliberation.moderate_conversation",
    "deliberation:export": "staff:deliberation.export_conversation",
    "api-v1:list_conversations": "api",
    "api-v1:get_conversation": "api",
    "api-v1:list_statements": "api",
    "api-v1:get_report": "api",
    "api-v1:conversation_export": "api",
    # Follows and notifications.
    "notifications:list": "signed_in",
    "notifications:follow": "signed_in",
    # accountability (issue 6): results, feedback, KPIs, the practice library. "api_token": POST with a
    # city's API token (scope kpi:write), tested in tests/accountability/test_kpis.py.
    "accountability:results": "public",
    "accountability:results_export": "public",
    "accountability:result": "public",
    "accountability:feedback": "signed_in",
    "accountability:document": "public",
    "accountability:dashboard": "public",
    "accountability:kpis_export": "public",
    "accountability:kpi": "public",
    "accountability:staff_results": "staff:accountability.change_result",
    "accountability:result_new": "staff:accountability.change_result",
    "accountability:from_budget": "staff:accountability.change_result",
    "accountability:threshold": "staff:accountability.change_result",
    "accountability:status_new": "staff:accountability.change_result",
    "accountability:results_import": "staff:accountability.change_result",
    "accountability:feedback_queue": "staff:accountability.answer_feedback",
    "accountability:feedback_answer": "staff:accountability.answer_feedback",
    "accountability:result_edit": "staff:accountability.change_result",
    "accountability:result_milestones": "staff:accountability.change_result",
    "accountability:result_update": "staff:accountability.change_result",
    "accountability:result_findings": "staff:accountability.change_result",
    "accountability:staff_kpis": "staff:accountability.enter_measurements",
    "accountability:kpi_adopt": "staff:accountability.manage_kpis",
    "accountability:kpi_new": "staff:accountability.manage_kpis",
    "accountability:kpis_refresh": "staff:accountability.enter_measurements",
    "accountability:kpi_propose": "staff:accountability.manage_kpis",
    "accountability:measurements": "staff:accountability.enter_measurements",
    "accountability:adoption_edit": "staff:accountability.manage_kpis",
    "accountability:tokens": "staff:accountability.manage_api_tokens",
    "accountability:token_revoke": "staff:accountability.manage_api_tokens",
    "accountability:practice_new": "staff:accountability.publish_practice",
    "accountability:practice_replicate": "staff:accountability.replicate_practice",
    "accountability:practice_comment": "staff:accountability.comment_practice",
    "network:kpis": "public",
    "network:kpi": "public",
    "network:kpi_proposals": "network_admin",
    "network:practices": "public",
    "network:practice": "public",
    "api-v1:list_results": "api",
    "api-v1:list_city_kpis": "api",
    "api-v1:list_network_kpis": "api",
    "api-v1:list_practices": "api",
    "api-v1:post_measurement": "api_token",
}
