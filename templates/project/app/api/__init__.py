"""HTTP layer: versioned packages (`v1`, `v2`, ...) of routers, plus the health check."""
