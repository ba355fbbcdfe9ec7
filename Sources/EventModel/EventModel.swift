// The EventModel module; its parts arrive with their issues.
