# Meetings are run through their pages and actions (which keep the waiting list and the audit log
# right): nothing of them is editable in Django's admin.
