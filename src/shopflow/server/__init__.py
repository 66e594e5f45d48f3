"""The store server's composition root: builds the app, mounts the API and the dashboard side by side, and runs
the machinery behind them (event writer, camera workers, realtime relay) for the app's lifetime."""
