"""ShopFlow reports layer."""
