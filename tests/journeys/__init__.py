"""Browser tests that walk each journey of issue 19 as a user clicks (screenshots: test-artifacts/journeys/)."""
