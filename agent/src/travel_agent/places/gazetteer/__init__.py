"""The offline gazetteer's parts: text normalisation, categories, and the compact index.

The provider that uses them is `travel_agent.places.offline.OfflineGazetteer`.
"""
