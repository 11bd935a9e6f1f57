"""Tiny Bottle app for real-peers.sh --extra. Usage: python bottle_app.py PORT on|off"""
import sys

import bottle

app = bottle.Bottle()


@app.route("/")
def index():
    return "hello from the shop\n"


@app.route("/orders/<order_id:int>")
def order(order_id):
    orders = {1: {"total": 12.5}}
    return {"id": order_id, "total": orders[order_id]["total"] / 0}


if __name__ == "__main__":
    bottle.debug(sys.argv[2] == "on")
    bottle.run(app, host="127.0.0.1", port=int(sys.argv[1]), quiet=False)
