export function App() {
  return <h1>Herald</h1>;
}
