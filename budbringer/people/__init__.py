"""People admin for an organisation's admins: the list, invitations, the CSV import and
departments. The people themselves and the one home of their changes are in accounts."""
