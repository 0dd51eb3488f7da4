"""The rules of In-Home Delivery, in plain Python with no Home Assistant import."""
