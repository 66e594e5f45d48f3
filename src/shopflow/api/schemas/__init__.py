"""Pydantic request/response schemas of the ShopFlow API."""
