"""Follow your turn on your phone: the ticket's status, its page and the page's strings."""
