"""ShopFlow api layer."""
