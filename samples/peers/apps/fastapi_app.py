"""Tiny FastAPI app for real-peers.sh. debug is read from FASTAPI_DEBUG (1 = on).

Usage: FASTAPI_DEBUG=1|0 python -m uvicorn fastapi_app:app --host 127.0.0.1 --port PORT
"""
import os

from fastapi import FastAPI

app = FastAPI(debug=os.environ.get("FASTAPI_DEBUG", "0") == "1")


@app.get("/")
def index():
    return {"message": "hello from the shop"}


@app.get("/orders/{order_id}")
def order(order_id: int):
    orders = {1: {"total": 12.5}}
    return {"id": order_id, "total": orders[order_id]["total"] / 0}
