// Tests for Kafka arrive with its issue.
