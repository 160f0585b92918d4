"""Teams: the directory, membership and routing of requests to the right team."""
