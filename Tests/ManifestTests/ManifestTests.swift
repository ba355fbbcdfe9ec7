// Tests for Manifest arrive with its issue.
