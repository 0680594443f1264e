"""Browser tests that walk each journey of issue 19 as a user clicks through it.

Screenshots land in test-artifacts/journeys/.
"""
