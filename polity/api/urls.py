from ninja import NinjaAPI

api = NinjaAPI(title="Polity API", version="1", urls_namespace="api")
