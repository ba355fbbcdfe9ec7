// Tests for Harness arrive with its issue.
