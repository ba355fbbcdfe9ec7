// Tests for EventModel arrive with its issue.
