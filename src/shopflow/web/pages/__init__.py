"""The dashboard's pages; each module adds its own with add_page() or add_pages()."""
