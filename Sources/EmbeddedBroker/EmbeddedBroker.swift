// The EmbeddedBroker module; its parts arrive with their issues.
