"""Bloomberg: the feed's dek is all we keep; photo captions must not pass for it."""
