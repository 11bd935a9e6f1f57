"""Tiny Pyramid app for real-peers.sh --extra; with "on" it includes pyramid_debugtoolbar.

Usage: python pyramid_app.py PORT on|off
"""
import sys
from wsgiref.simple_server import make_server

from pyramid.config import Configurator
from pyramid.response import Response


def index(request):
    return Response("<!DOCTYPE html><html><head><title>Shop</title></head>"
                    "<body><p>hello from the shop</p></body></html>")


def order(request):
    orders = {1: {"total": 12.5}}
    order_id = int(request.matchdict["order_id"])
    return Response(str(orders[order_id]["total"] / 0))


if __name__ == "__main__":
    debug = sys.argv[2] == "on"
    settings = {"debugtoolbar.hosts": "127.0.0.1"} if debug else {}
    with Configurator(settings=settings) as config:
        if debug:
            config.include("pyramid_debugtoolbar")
        config.add_route("index", "/")
        config.add_route("order", "/orders/{order_id}")
        config.add_view(index, route_name="index")
        config.add_view(order, route_name="order")
        app = config.make_wsgi_app()
    make_server("127.0.0.1", int(sys.argv[1]), app).serve_forever()
