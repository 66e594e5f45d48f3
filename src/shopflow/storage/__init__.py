"""Everything ShopFlow keeps on disk: models, migrations, repositories and the batched event writer."""
