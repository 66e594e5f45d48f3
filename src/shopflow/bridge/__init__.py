"""ShopFlow bridge layer."""
