// Tests for Report arrive with its issue.
