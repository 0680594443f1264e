"""The ground floor: infrastructure every app shares (queue, status machine, Excel import and export, periods,
region scoping, permission helpers). It imports Django and libraries only, never an app of this project."""
