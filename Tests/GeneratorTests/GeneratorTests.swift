// Tests for Generator arrive with its issue.
