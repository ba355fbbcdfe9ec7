// Tests for Detector arrive with its issue.
