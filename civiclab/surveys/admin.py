# Surveys are built and answered through their pages and actions: the admin shows nothing of them, so
# that no answer can be read or changed past the rules in views.py.
