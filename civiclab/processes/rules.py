import rules

from civiclab.cities.rules import is_city_admin, is_city_staff

# City admins shape processes; moderators and evaluators can see drafts to prepare their work.
rules.add_perm("processes.add_process", is_city_admin)
rules.add_perm("processes.change_process", is_city_admin)
rules.add_perm("processes.view_unpublished", is_city_staff)
