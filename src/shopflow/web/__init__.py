"""ShopFlow web layer."""
