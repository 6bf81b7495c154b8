"""Assistant for French collectivités about the Conseiller numérique France Services programme."""
