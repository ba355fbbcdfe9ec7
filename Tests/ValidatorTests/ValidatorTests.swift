// Tests for Validator arrive with its issue.
