"""The main window: a thin shell of tabs, docks, menus and actions, with the one place
where signals are wired (MainWindow._connect_signals); help and the book commands."""
