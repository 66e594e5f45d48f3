"""ShopFlow ops layer."""
