"""Who may do what with results and KPIs, per city role. Results have no phases: the matrix is by role."""

import rules

from civiclab.cities.rules import is_city_admin, is_city_evaluator, is_city_moderator, is_city_staff

# Results: city admins and moderators keep them up to date; every staff role answers feedback.
rules.add_perm("accountability.change_result", is_city_admin | is_city_moderator)
rules.add_perm("accountability.answer_feedback", is_city_staff)
# KPIs: admins choose what the city measures; evaluators enter measurements, too.
rules.add_perm("accountability.manage_kpis", is_city_admin)
rules.add_perm("accountability.enter_measurements", is_city_admin | is_city_evaluator)
rules.add_perm("accountability.manage_api_tokens", is_city_admin)
# The practice library (network app): a city's admins publish and replicate; any staff comment.
rules.add_perm("accountability.publish_practice", is_city_admin)
rules.add_perm("accountability.replicate_practice", is_city_admin)
rules.add_perm("accountability.comment_practice", is_city_staff)
