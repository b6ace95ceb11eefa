"""asgikit."""
