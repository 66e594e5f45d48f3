"""ShopFlow web layer: the store owner's dashboard (NiceGUI), served by the same app as the API."""

from shopflow.web.dashboard import mount_dashboard

__all__ = ["mount_dashboard"]
