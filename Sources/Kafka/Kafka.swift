// The Kafka module; its parts arrive with their issues.
