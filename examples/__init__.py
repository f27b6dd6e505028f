"""Small applications built on tfa, each showing the product page's use cases."""
