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
    # Surveys and meetings (issue 3, branch engage). "signed_in_post": a POST that sends visitors to sign in.
    "surveys:detail": "public",
    "surveys:results": "public",
    "surveys:results_csv": "public",
    "surveys:edit": "staff:surveys.change_survey",
    "surveys:question_new": "staff:surveys.change_survey",
    "surveys:question_edit": "staff:surveys.change_survey",
    "surveys:question_delete": "staff:surveys.change_survey",
    "surveys:offline": "staff:surveys.record_offline",
    "surveys:responses_csv": "staff:surveys.view_answers",
    "events:calendar": "public",
    "events:calendar_ics": "public",
    "events:component": "public",
    "events:detail": "public",
    "events:meeting_ics": "public",
    "events:register": "signed_in_post",
    "events:cancel": "signed_in_post",
    "events:new": "staff:events.change_meeting",
    "events:edit": "staff:events.change_meeting",
    "events:report": "staff:events.report_meeting",
    "events:photo": "staff:events.report_meeting",
    "api-v1:list_surveys": "api",
    "api-v1:get_survey": "api",
    "api-v1:list_meetings": "api",
    "api-v1:get_meeting": "api",
    # proposals: proposals, comments, debates, moderation
    "proposals:list": "public",
    "proposals:detail": "public",
    "proposals:amendment": "public",
    "proposals:attachment": "public",
    "proposals:debates": "public",
    "proposals:debate": "public",
    "proposals:comment_history": "public",
    "proposals:new": "signed_in",
    "proposals:support": "signed_in",
    "proposals:comment": "signed_in",
    "proposals:endorse": "signed_in",
    "proposals:coauthors": "signed_in",
    "proposals:coauthor_accept": "signed_in",
    "proposals:amend": "signed_in",
    "proposals:argument": "signed_in",
    "proposals:argument_comment": "signed_in",
    "proposals:comment_edit": "signed_in",
    "proposals:comment_vote": "signed_in",
    "proposals:report": "signed_in",
    "proposals:appeal": "signed_in",
    "proposals:answer": "staff:proposals.answer_proposal",
    "proposals:must_answer": "staff:proposals.answer_proposal",
    "proposals:offline_proposal": "staff:proposals.record_offline",
    "proposals:offline_support": "staff:proposals.record_offline",
    "proposals:debate_new": "staff:proposals.manage_debates",
    "proposals:debate_close": "staff:proposals.manage_debates",
    "proposals:moderation": "staff:proposals.moderate",
    "proposals:moderate": "staff:proposals.moderate",
    "proposals:moderation_settings": "staff:proposals.change_moderation_settings",
    "api-v1:list_proposals": "api",
    "api-v1:get_proposal": "api",
    "api-v1:list_debates": "api",
    "api-v1:get_debate": "api",
    "api-v1:list_comments": "api",
}
