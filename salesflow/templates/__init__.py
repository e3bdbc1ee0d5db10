"""Pipeline templates shipped with salesflow (TOML); `init --template NAME` stores one in the database."""
