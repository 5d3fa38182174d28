"""How a round is stored and shared: tables (DataFrames, CSV, Excel, JSON), JSON Schema, pseudonyms."""
