"""The adviser console's domain: passwords and permissions, reviews turned into eval cases, content gaps."""
