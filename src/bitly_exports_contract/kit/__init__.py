"""bitly-exports-contract."""
