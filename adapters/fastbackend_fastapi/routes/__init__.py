"""Generated routes: collection (list, create), item (read, update, replace, delete), relations."""
