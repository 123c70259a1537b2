"""Who may do what with participatory budgets, per city role."""

import rules

from civiclab.cities.rules import is_city_admin, is_city_evaluator, is_city_moderator, is_city_staff

rules.add_perm("budgeting.add_budget", is_city_admin)
rules.add_perm("budgeting.change_budget", is_city_admin)
rules.add_perm("budgeting.view_unpublished", is_city_staff)
# Evaluators review projects; city admins can too.
rules.add_perm("budgeting.review_project", is_city_evaluator | is_city_admin)
# The census list and letter codes decide who may vote: city admins only.
rules.add_perm("budgeting.manage_eligibility", is_city_admin)
# Front-desk work: checking an identity document, typing paper ballots.
rules.add_perm("budgeting.verify_in_person", is_city_admin | is_city_moderator)
rules.add_perm("budgeting.enter_paper_ballot", is_city_staff)
rules.add_perm("budgeting.review_paper_ballots", is_city_admin)
rules.add_perm("budgeting.count", is_city_admin)
