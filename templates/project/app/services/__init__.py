"""Business logic between routers and models, one module per resource."""
