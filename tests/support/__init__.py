"""What several test files share: helpers, fixtures, projects, servers."""
