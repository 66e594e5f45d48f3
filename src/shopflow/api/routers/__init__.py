"""HTTP routers of the ShopFlow API, one module per area."""
