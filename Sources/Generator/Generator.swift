// The Generator module; its parts arrive with their issues.
